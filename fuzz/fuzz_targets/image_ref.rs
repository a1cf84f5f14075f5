//! Fuzzes the image reference parser (`palisade_model::ImageRef`, the
//! distribution reference grammar). It must never panic, and a reference it
//! accepts must render (fully qualified, and as Docker shows it) to text
//! that parses back to the same reference.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_model::ImageRef;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(image) = ImageRef::parse(text) else {
        return;
    };
    for rendered in [image.to_string(), image.familiar()] {
        match ImageRef::parse(&rendered) {
            Ok(again) => assert_eq!(again, image, "{text:?} renders as {rendered:?}"),
            Err(e) => panic!("{text:?} renders as {rendered:?}, which does not parse: {e}"),
        }
    }
    // The parts agree with the rendering.
    assert_eq!(image.to_string(), image.qualified());
    assert!(image.qualified().starts_with(&image.name()));
    assert_eq!(
        image.name(),
        format!("{}/{}", image.registry(), image.path())
    );
});
