//! The state as the app sees it, saved by one background writer.
//!
//! Saving the state file costs two fsyncs (the temp file, then the folder after the rename):
//! 6–16 ms on the disks measured in issue 14, more than a UI command may take. So a change is
//! checked and applied at once to the in-memory view, and queued; one writer thread then takes
//! the cross-process lock, re-reads the file (so a change the CLI saved meanwhile is kept),
//! replays the queued changes in order and writes the result atomically. Several queued
//! changes cost one write. [`StateWriter::flush`] waits until everything queued is on disk
//! (app exit, tests). The precedent is Firefox's `JSONFile` + `DeferredTask` (logins.json),
//! without the delay: the writer starts at once, so a change is on disk within milliseconds.
//!
//! A failed write is never silent: the changes stay queued and in the view, the reason is
//! kept ([`StateWriter::problem`]), and the next change retries the write before it returns,
//! failing with [`Error::NotSavedYet`] if the disk still refuses. The CLI, which exits right
//! after its command, uses [`StateWriter::write_at_once`]: each change is saved before it
//! returns, exactly as before.

use crate::atomic_file::{prepare_atomic, sync_dir};
use crate::state::{Loaded, State, StateStore};
use crate::{Error, Result};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use time::OffsetDateTime;

/// A change to the state that can be applied more than once: to the view when it is made,
/// then by the writer to the state read from disk (again after a failed write). It owns its
/// data, so the writer thread can run it later.
pub type Change = Arc<dyn Fn(&mut State) -> Result<()> + Send + Sync>;

/// Told when a background write fails (with [`Error::NotSavedYet`]) and when a later write
/// succeeds again (`None`), from the thread that wrote. Installed by
/// the app (see [`StateWriter::watch`]) so the window hears of a failed save when it happens.
pub type SaveWatcher = Arc<dyn Fn(Option<Error>) + Send + Sync>;

/// The in-memory state and the writer that saves it.
pub struct StateWriter {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    store: StateStore,
    view: Mutex<View>,
    /// Wakes the writer thread: a change, or closing.
    wake: Condvar,
    /// One write at a time, whether by the writer thread or a caller of `flush`.
    writing: Mutex<()>,
    /// Save each change before returning (the CLI); the writer thread then stays idle.
    at_once: AtomicBool,
    /// Told when [`View::problem`] appears, changes or goes away.
    watcher: Mutex<Option<SaveWatcher>>,
}

struct View {
    /// The file's state as last read or written, with the still-queued changes applied.
    state: State,
    /// Changes not yet on disk, oldest first, each with its sequence number.
    queue: VecDeque<(u64, Change)>,
    next_seq: u64,
    /// Why the last write failed; `None` once a write succeeds.
    problem: Option<String>,
    /// False after a failed write, until a change or a flush asks for another try: a
    /// read-only folder is not hammered in a loop.
    retry: bool,
    closing: bool,
    /// For the user: a damaged state file set aside, a queued change that no longer fitted.
    notices: Vec<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep going with it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Applies `change` to `state` only if it succeeds as a whole.
fn apply(state: &mut State, change: &Change) -> Result<()> {
    let mut next = state.clone();
    change(&mut next)?;
    *state = next;
    Ok(())
}

impl StateWriter {
    /// Starts the writer for `store`, whose content was just loaded as `loaded`.
    pub fn start(store: StateStore, loaded: Loaded) -> Result<Self> {
        let shared = Arc::new(Shared {
            store,
            view: Mutex::new(View {
                state: loaded.state,
                queue: VecDeque::new(),
                next_seq: 0,
                problem: None,
                retry: true,
                closing: false,
                notices: loaded.notice.into_iter().collect(),
            }),
            wake: Condvar::new(),
            writing: Mutex::new(()),
            at_once: AtomicBool::new(false),
            watcher: Mutex::new(None),
        });
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("lockstep-state-writer".into())
            .spawn(move || run(&for_thread))
            .map_err(|e| Error::io(shared.store.path(), e))?;
        Ok(StateWriter {
            shared,
            thread: Some(thread),
        })
    }

    /// From now on, [`StateWriter::change`] saves before it returns and reports a failed
    /// save or a change that no longer fits the file as its error, with the view unchanged.
    pub fn write_at_once(&self) {
        self.shared.at_once.store(true, Ordering::SeqCst);
    }

    /// The state with every change made so far, saved or still queued.
    pub fn state(&self) -> State {
        lock(&self.shared.view).state.clone()
    }

    /// Why the last background write failed, while it still has not succeeded.
    pub fn problem(&self) -> Option<String> {
        lock(&self.shared.view).problem.clone()
    }

    /// Calls `watcher` whenever a write fails (with [`Error::NotSavedYet`]) and when a write succeeds after one failed (`None`); at once
    /// too if a write is failing now. Replaces the previous watcher. Called from the thread
    /// that wrote, outside every lock of this writer.
    pub fn watch(&self, watcher: SaveWatcher) {
        *lock(&self.shared.watcher) = Some(watcher.clone());
        if let Some(problem) = self.problem() {
            watcher(Some(Error::NotSavedYet { detail: problem }));
        }
    }

    /// What the user must be told about the state file (set aside, a change not kept).
    pub fn notices(&self) -> Vec<String> {
        lock(&self.shared.view).notices.clone()
    }

    /// Checks and applies `change` to the view, queues it for the writer and returns the new
    /// state. An error from `change` itself changes nothing. After a failed write, the write
    /// is retried here first; if it fails again the change is still kept and queued, and the
    /// error ([`Error::NotSavedYet`]) says so.
    pub fn change(&self, change: Change) -> Result<State> {
        if self.shared.at_once.load(Ordering::SeqCst) {
            return self.change_at_once(change);
        }
        let (state, failed_before) = {
            let mut view = lock(&self.shared.view);
            apply(&mut view.state, &change)?;
            let seq = view.next_seq;
            view.next_seq += 1;
            view.queue.push_back((seq, change));
            view.retry = true;
            self.shared.wake.notify_all();
            (view.state.clone(), view.problem.is_some())
        };
        if failed_before {
            self.flush().map_err(|e| Error::NotSavedYet {
                detail: e.to_string(),
            })?;
        }
        Ok(state)
    }

    /// The CLI's path: the change is applied to the file's state under the lock and saved
    /// before returning, and only then shown in the view.
    fn change_at_once(&self, change: Change) -> Result<State> {
        let seq = {
            let mut view = lock(&self.shared.view);
            let seq = view.next_seq;
            view.next_seq += 1;
            view.queue.push_back((seq, change));
            seq
        };
        match write_queued(&self.shared) {
            Ok(rejected) => match rejected.into_iter().find(|(s, _)| *s == seq) {
                Some((_, e)) => Err(e),
                None => Ok(self.state()),
            },
            Err(e) => {
                lock(&self.shared.view).queue.retain(|(s, _)| *s != seq);
                Err(e)
            }
        }
    }

    /// Waits until every change made before this call is on disk (writing it here if the
    /// writer thread has not yet), or returns why it could not be written. The changes stay
    /// queued after a failure, for the next try.
    pub fn flush(&self) -> Result<()> {
        let target = {
            let mut view = lock(&self.shared.view);
            view.retry = true;
            view.next_seq
        };
        loop {
            let done = lock(&self.shared.view)
                .queue
                .front()
                .is_none_or(|(seq, _)| *seq >= target);
            if done {
                return Ok(());
            }
            write_queued(&self.shared)?;
        }
    }
}

impl Drop for StateWriter {
    /// Lets the writer save what is still queued (one last try), then ends it.
    fn drop(&mut self) {
        {
            let mut view = lock(&self.shared.view);
            view.closing = true;
            view.retry = true;
            self.shared.wake.notify_all();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for StateWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateWriter")
            .field("path", &self.shared.store.path())
            .finish_non_exhaustive()
    }
}

/// The writer thread: writes whenever changes are queued, until closing.
fn run(shared: &Shared) {
    loop {
        let last = {
            let mut view = lock(&shared.view);
            // Sleep until closing, or until there is something to write and leave to try.
            while !(view.closing || view.retry && !view.queue.is_empty()) {
                view = shared
                    .wake
                    .wait(view)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if view.queue.is_empty() {
                return;
            }
            view.closing
        };
        // A failure is recorded in the view for the next change or flush to report.
        let _ = write_queued(shared);
        if last {
            return;
        }
    }
}

/// Writes what is queued now: under the cross-process lock, reads the file, replays the
/// queued changes in order, writes a synced temp file, and renames it over the file under
/// the view's lock together with dequeuing those changes, so a reader never sees a change
/// twice or misses one. Returns the changes that no longer applied to the file's state (the
/// CLI changed it meanwhile); they are dropped and the user is told.
fn write_queued(shared: &Shared) -> Result<Vec<(u64, Error)>> {
    let _one = lock(&shared.writing);
    let batch: Vec<(u64, Change)> = lock(&shared.view).queue.iter().cloned().collect();
    let Some(last) = batch.last().map(|(seq, _)| *seq) else {
        return Ok(Vec::new());
    };
    let written = (|| -> Result<Vec<(u64, Error)>> {
        let store = &shared.store;
        let _file = store.lock()?;
        let Loaded { mut state, notice } = store.load(OffsetDateTime::now_utc())?;
        let mut rejected = Vec::new();
        for (seq, change) in &batch {
            if let Err(e) = apply(&mut state, change) {
                rejected.push((*seq, e));
            }
        }
        let prepared = prepare_atomic(store.path(), &store.encode(&state)?)?;
        {
            let mut view = lock(&shared.view);
            prepared.commit()?;
            view.queue.retain(|(seq, _)| *seq > last);
            // What the file holds now (the CLI's changes included), plus what is still queued.
            let mut shown = state;
            for (_, change) in &view.queue {
                let _ = apply(&mut shown, change);
            }
            view.state = shown;
            view.notices.extend(notice);
        }
        // The rename is visible already; this makes it durable (the file lock is still held).
        sync_dir(store.path());
        Ok(rejected)
    })();
    let mut view = lock(&shared.view);
    let before = view.problem.clone();
    match &written {
        Ok(rejected) => {
            view.problem = None;
            if !shared.at_once.load(Ordering::SeqCst) {
                for (_, e) in rejected {
                    view.notices.push(format!(
                        "A change could not be saved because your saved progress was changed meanwhile (by the lockstep command, say): {e} Check the screen and make the change again if it is still needed."
                    ));
                }
            }
        }
        Err(e) => {
            view.problem = Some(e.to_string());
            view.retry = false;
        }
    }
    let news = (view.problem != before).then(|| view.problem.clone());
    drop(view);
    if let Some(problem) = news {
        let watcher = lock(&shared.watcher).clone();
        if let Some(watcher) = watcher {
            watcher(problem.map(|detail| Error::NotSavedYet { detail }));
        }
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Journey;
    use std::path::{Path, PathBuf};

    /// A change a replay could not hide if it ran twice or not at all.
    fn add_email(i: usize) -> Change {
        Arc::new(move |s: &mut State| {
            s.settings.emails.push(format!("{i}@example.org"));
            Ok(())
        })
    }

    fn emails(state: &State) -> Vec<String> {
        state.settings.emails.clone()
    }

    fn expected(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("{i}@example.org")).collect()
    }

    fn start(path: &Path) -> StateWriter {
        let store = StateStore::new(path);
        let loaded = store.load(OffsetDateTime::UNIX_EPOCH).unwrap();
        StateWriter::start(store, loaded).unwrap()
    }

    fn on_disk(path: &Path) -> State {
        let loaded = StateStore::new(path)
            .load(OffsetDateTime::UNIX_EPOCH)
            .unwrap();
        assert_eq!(loaded.notice, None, "the file must be whole");
        loaded.state
    }

    /// Puts a plain file where the data folder should be, so every write fails (root ignores
    /// permission bits, so a read-only folder would not fail under CI).
    fn break_folder(data: &Path) -> PathBuf {
        let aside = data.with_extension("moved");
        std::fs::rename(data, &aside).unwrap();
        std::fs::write(data, b"not a folder").unwrap();
        aside
    }

    fn mend_folder(data: &Path, aside: &Path) {
        std::fs::remove_file(data).unwrap();
        std::fs::rename(aside, data).unwrap();
    }

    #[test]
    fn queued_changes_are_on_disk_after_a_flush_and_shown_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let writer = start(&path);
        for i in 0..5 {
            let shown = writer.change(add_email(i)).unwrap();
            assert_eq!(emails(&shown), expected(0..i + 1), "returned at once");
        }
        writer.flush().unwrap();
        assert_eq!(emails(&on_disk(&path)), expected(0..5));
        assert_eq!(emails(&writer.state()), expected(0..5));
        assert_eq!(writer.problem(), None);
    }

    #[test]
    fn a_change_that_fails_changes_nothing_and_is_not_queued() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let writer = start(&path);
        writer.change(add_email(0)).unwrap();
        let refused: Change = Arc::new(|s: &mut State| {
            s.settings.emails.push("half-done@example.org".into());
            Err(Error::InvalidInput("no".into()))
        });
        assert!(writer.change(refused).is_err());
        writer.flush().unwrap();
        assert_eq!(emails(&writer.state()), expected(0..1));
        assert_eq!(emails(&on_disk(&path)), expected(0..1));
    }

    #[test]
    fn a_change_another_process_saved_between_two_changes_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let writer = start(&path);
        writer.change(add_email(0)).unwrap();
        // The CLI: its own store, lock + load + change + save, while the app's change may
        // still be queued.
        StateStore::new(&path)
            .update(OffsetDateTime::UNIX_EPOCH, |s| {
                s.journey = Some(Journey::Travel);
                Ok(())
            })
            .unwrap();
        writer.change(add_email(1)).unwrap();
        writer.flush().unwrap();
        let disk = on_disk(&path);
        assert_eq!(
            disk.journey,
            Some(Journey::Travel),
            "the CLI's change is kept"
        );
        assert_eq!(emails(&disk), expected(0..2), "and both of the app's");
        assert_eq!(
            writer.state(),
            disk,
            "the view now shows the CLI's change too"
        );
    }

    #[test]
    fn a_failed_write_is_reported_kept_and_saved_once_the_folder_is_usable() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let path = data.join("state.json");
        let writer = start(&path);
        writer.change(add_email(0)).unwrap();
        writer.flush().unwrap();

        let aside = break_folder(&data);
        writer.change(add_email(1)).unwrap();
        assert!(writer.flush().is_err(), "the flush says the write failed");
        assert!(writer.problem().is_some(), "and the reason is kept");
        // The next change retries first, and says the changes are kept but not saved.
        let err = writer.change(add_email(2)).unwrap_err();
        assert_eq!(err.kind(), "not_saved_yet", "{err}");
        assert_eq!(emails(&writer.state()), expected(0..3), "nothing is lost");

        mend_folder(&data, &aside);
        assert_eq!(
            emails(&on_disk(&path)),
            expected(0..1),
            "not saved meanwhile"
        );
        writer.change(add_email(3)).unwrap();
        writer.flush().unwrap();
        assert_eq!(emails(&on_disk(&path)), expected(0..4));
        assert_eq!(writer.problem(), None);
    }

    #[test]
    fn dropping_the_writer_saves_what_is_queued() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let writer = start(&path);
        for i in 0..20 {
            writer.change(add_email(i)).unwrap();
        }
        drop(writer);
        assert_eq!(emails(&on_disk(&path)), expected(0..20));
        // A flush after more changes waits for them, and a later flush has nothing to do.
        let writer = start(&path);
        writer.change(add_email(20)).unwrap();
        writer.flush().unwrap();
        assert_eq!(emails(&on_disk(&path)), expected(0..21));
        writer.flush().unwrap();
        assert_eq!(emails(&on_disk(&path)), expected(0..21));
    }

    #[test]
    fn readers_never_see_a_change_twice_or_lose_one_while_the_writer_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let writer = Arc::new(start(&path));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (writer, stop) = (writer.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut seen = 0;
                let mut reads = 0usize;
                while !stop.load(Ordering::SeqCst) {
                    let now = emails(&writer.state());
                    assert_eq!(now, expected(0..now.len()), "in order, each once");
                    assert!(now.len() >= seen, "a change seen is never lost");
                    seen = now.len();
                    reads += 1;
                }
                reads
            })
        };
        for i in 0..300 {
            writer.change(add_email(i)).unwrap();
            if i % 50 == 0 {
                writer.flush().unwrap();
            }
        }
        writer.flush().unwrap();
        stop.store(true, Ordering::SeqCst);
        assert!(reader.join().unwrap() > 0);
        assert_eq!(emails(&on_disk(&path)), expected(0..300));
    }

    #[test]
    fn at_once_a_failed_save_is_the_error_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let path = data.join("state.json");
        let writer = start(&path);
        writer.write_at_once();
        writer.change(add_email(0)).unwrap();
        assert_eq!(
            emails(&on_disk(&path)),
            expected(0..1),
            "saved before returning"
        );

        let aside = break_folder(&data);
        assert_eq!(writer.change(add_email(1)).unwrap_err().kind(), "io");
        assert_eq!(
            emails(&writer.state()),
            expected(0..1),
            "memory and disk agree"
        );
        mend_folder(&data, &aside);
        writer.change(add_email(2)).unwrap();
        assert_eq!(
            emails(&on_disk(&path)),
            vec!["0@example.org", "2@example.org"]
        );
    }

    #[test]
    fn at_once_a_change_that_no_longer_fits_the_file_is_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let writer = start(&path);
        writer.write_at_once();
        // Fits the view (no journey yet) but not the file, where another process chose one.
        StateStore::new(&path)
            .update(OffsetDateTime::UNIX_EPOCH, |s| {
                s.journey = Some(Journey::Travel);
                Ok(())
            })
            .unwrap();
        let only_first: Change = Arc::new(|s: &mut State| match s.journey {
            None => {
                s.journey = Some(Journey::Onboarding);
                Ok(())
            }
            Some(_) => Err(Error::InvalidInput("a journey was chosen meanwhile".into())),
        });
        assert_eq!(
            writer.change(only_first).unwrap_err().kind(),
            "invalid_input"
        );
        assert_eq!(on_disk(&path).journey, Some(Journey::Travel));
    }

    #[test]
    fn a_watcher_hears_of_a_failed_write_and_of_the_recovery_as_they_happen() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let writer = start(&data.join("state.json"));
        let heard: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
        let sink = heard.clone();
        writer.watch(Arc::new(move |p: Option<Error>| {
            lock(&sink).push(p.map(|e| e.to_string()))
        }));
        let wait_for = |n: usize| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while lock(&heard).len() < n {
                assert!(
                    std::time::Instant::now() < deadline,
                    "heard {:?}",
                    lock(&heard)
                );
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        };
        writer.change(add_email(0)).unwrap();
        writer.flush().unwrap();
        assert!(lock(&heard).is_empty(), "a write that works is no news");
        let aside = break_folder(&data);
        // The change returns at once; the writer thread fails afterwards and says so.
        writer.change(add_email(1)).unwrap();
        wait_for(1);
        let problem = lock(&heard)[0].clone().expect("a problem");
        assert!(
            problem.contains("could not save your latest changes"),
            "{problem}"
        );
        mend_folder(&data, &aside);
        writer.flush().unwrap();
        wait_for(2);
        assert_eq!(lock(&heard)[1], None, "and that it is saved after all");
        assert_eq!(emails(&on_disk(&data.join("state.json"))), expected(0..2));
    }
}
