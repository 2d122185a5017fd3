// Builds the precompiled header the lesson checks share (see CMakeLists.txt).
