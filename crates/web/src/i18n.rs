//! Interface text in Simplified Chinese and English.
