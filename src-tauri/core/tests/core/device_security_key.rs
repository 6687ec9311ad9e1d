//! FIDO key detection: HID report descriptor parsing and a fake `/sys/class/hidraw`.

/// Named so that `cargo test -p lockstep-core device` runs these tests.
mod device {
    use lockstep_core::check::Status;
    use lockstep_core::device::security_key::{
        scan_linux, usage_pages, verdict, HidDevice, HidScan, FIDO_USAGE_PAGE, ID,
    };
    use std::fs;
    use std::path::Path;

    /// The CTAPHID descriptor from the FIDO spec (what YubiKeys, SoloKeys, Nitrokeys report).
    const FIDO_DESCRIPTOR: &[u8] = &[
        0x06, 0xD0, 0xF1, // Usage Page (FIDO Alliance)
        0x09, 0x01, // Usage (CTAPHID)
        0xA1, 0x01, // Collection (Application)
        0x09, 0x20, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x40, 0x81,
        0x02, // Input report
        0x09, 0x21, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x40, 0x91,
        0x02, // Output report
        0xC0, // End Collection
    ];

    /// A boot keyboard.
    const KEYBOARD_DESCRIPTOR: &[u8] = &[
        0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25,
        0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0xC0,
    ];

    /// A descriptor whose data bytes contain `06 D0 F1` inside a 4-byte Logical Maximum: a naive
    /// byte search would call this a security key.
    const TRICKY_DESCRIPTOR: &[u8] = &[
        0x05, 0x0C, 0x09, 0x01, 0xA1, 0x01, 0x27, 0x06, 0xD0, 0xF1, 0x00, 0xC0,
    ];

    #[test]
    fn usage_pages_are_read_item_by_item() {
        assert_eq!(usage_pages(FIDO_DESCRIPTOR), vec![FIDO_USAGE_PAGE]);
        assert_eq!(usage_pages(KEYBOARD_DESCRIPTOR), vec![0x01, 0x07]);
        assert_eq!(
            usage_pages(TRICKY_DESCRIPTOR),
            vec![0x0C],
            "data bytes are not items"
        );
        // Long items are skipped whole; truncated input does not panic.
        assert_eq!(
            usage_pages(&[0xFE, 0x02, 0x10, 0x06, 0xD0, 0x05, 0x01]),
            vec![0x01]
        );
        assert_eq!(usage_pages(&[0x06, 0xD0]), Vec::<u16>::new());
    }

    fn hidraw(root: &Path, node: &str, name: &str, descriptor: &[u8]) {
        let dev = root.join("sys/class/hidraw").join(node).join("device");
        fs::create_dir_all(&dev).unwrap();
        fs::write(dev.join("report_descriptor"), descriptor).unwrap();
        fs::write(
            dev.join("uevent"),
            format!("DRIVER=hid-generic\nHID_ID=0003:00001050:00000407\nHID_NAME={name}\n"),
        )
        .unwrap();
    }

    #[test]
    fn a_connected_key_passes_and_is_named() {
        let root = tempfile::tempdir().unwrap();
        hidraw(
            root.path(),
            "hidraw0",
            "Logitech USB Keyboard",
            KEYBOARD_DESCRIPTOR,
        );
        hidraw(
            root.path(),
            "hidraw1",
            "Yubico YubiKey OTP+FIDO+CCID",
            FIDO_DESCRIPTOR,
        );
        let r = verdict(&scan_linux(root.path()));
        assert_eq!(r.id, ID);
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert!(r.summary.contains("Yubico YubiKey"), "{}", r.summary);
    }

    #[test]
    fn no_key_warns_to_plug_it_in() {
        let root = tempfile::tempdir().unwrap();
        hidraw(
            root.path(),
            "hidraw0",
            "Logitech USB Keyboard",
            KEYBOARD_DESCRIPTOR,
        );
        hidraw(root.path(), "hidraw1", "Tricky", TRICKY_DESCRIPTOR);
        let r = verdict(&scan_linux(root.path()));
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("Plug"), "{}", r.summary);
        assert!(
            r.evidence[0].contains("2 HID device(s)"),
            "{:?}",
            r.evidence
        );
    }

    #[test]
    fn no_hidraw_or_unreadable_descriptors_are_unknown() {
        let root = tempfile::tempdir().unwrap();
        let r = verdict(&scan_linux(root.path()));
        assert_eq!(
            r.status,
            Status::Unknown,
            "no /sys/class/hidraw: cannot tell"
        );
        let r = verdict(&HidScan::Unreadable(
            "permission denied reading hidraw0".into(),
        ));
        assert_eq!(r.status, Status::Unknown);
        assert!(r.summary.contains("permission denied"), "{}", r.summary);
    }

    #[test]
    fn hidapi_style_enumeration_shares_the_verdict() {
        // macOS and Windows list one entry per top-level collection, each with its usage page.
        let devices = vec![
            HidDevice {
                name: "Yubico YubiKey OTP+FIDO+CCID".into(),
                usage_pages: vec![0x01],
            },
            HidDevice {
                name: "Yubico YubiKey OTP+FIDO+CCID".into(),
                usage_pages: vec![FIDO_USAGE_PAGE],
            },
        ];
        assert_eq!(verdict(&HidScan::Devices(devices)).status, Status::Pass);
        assert_eq!(verdict(&HidScan::Devices(Vec::new())).status, Status::Warn);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_machine_gives_a_well_formed_result() {
        let r = verdict(&scan_linux(Path::new("/")));
        assert_eq!(r.id, ID);
        assert!(!r.summary.is_empty());
    }
}
