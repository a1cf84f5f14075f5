//! Credential detectors and redaction shared by every palisade scanner
