//! Following pages safely: a server that repeats a page, or links back to a page already
//! read, must not make Lockstep count the same items again (one org with 2 admins read as
//! 50 orgs), so paging stops there and items are de-duplicated.

use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// What has been read so far while paging one list.
#[derive(Debug, Default)]
pub(crate) struct Pages {
    paths: HashSet<String>,
    bodies: HashSet<[u8; 32]>,
}

impl Pages {
    /// Starts paging at `first`.
    pub(crate) fn starting_at(first: &str) -> Self {
        let mut pages = Pages::default();
        pages.paths.insert(first.to_string());
        pages
    }

    /// Records a page's body; `false` when the very same page was read before (the server
    /// repeats itself), in which case the page adds nothing and paging should stop.
    pub(crate) fn is_new_page(&mut self, body: &[u8]) -> bool {
        self.bodies.insert(Sha256::digest(body).into())
    }

    /// The next page to read, unless it was read (or linked) before.
    pub(crate) fn next(&mut self, next: Option<String>) -> Option<String> {
        next.filter(|p| self.paths.insert(p.clone()))
    }
}

/// Removes repeated items, keeping the first of each and the order.
pub(crate) fn dedup<T: PartialEq>(items: &mut Vec<T>) {
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    *items = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_pages_and_seen_links_stop_paging() {
        let mut p = Pages::starting_at("/a?page=1");
        assert!(p.is_new_page(b"[1]"));
        assert_eq!(
            p.next(Some("/a?page=2".into())).as_deref(),
            Some("/a?page=2")
        );
        assert!(!p.is_new_page(b"[1]"), "the same page again");
        assert_eq!(p.next(Some("/a?page=1".into())), None, "a link back");
        assert_eq!(p.next(None), None);
        let mut v = vec![1, 2, 1, 3, 2];
        dedup(&mut v);
        assert_eq!(v, [1, 2, 3]);
    }
}
