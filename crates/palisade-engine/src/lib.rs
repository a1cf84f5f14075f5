//! The palisade scan pipeline: load, evaluate, apply configuration
