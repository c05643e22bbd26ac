//! MaxMind reader, country/ASN extraction, .mmdb builder (being written).
