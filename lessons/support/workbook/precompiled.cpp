// Builds the precompiled header the lesson programs share (see cmake/Lessons.cmake).
