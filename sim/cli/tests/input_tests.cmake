# Bad local input: each test asserts exit 2 (or 1 where the run itself
# failed) and a message naming the element or option (cmake/ExpectExit.cmake).
set(PROFILES ${PROJECT_SOURCE_DIR}/fixtures/profiles)
