//! Lesson loading and Markdown rendering (owned by the lessons pipeline).
