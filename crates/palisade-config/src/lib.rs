//! palisade configuration: discovery, rule selection, severities, exceptions and suppression
