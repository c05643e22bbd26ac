//! Feed formats, detection, fetching with cache (being written).
