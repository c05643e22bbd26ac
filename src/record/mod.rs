//! The CSV record types shared by the tools (being written).
