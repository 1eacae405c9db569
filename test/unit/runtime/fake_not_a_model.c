/* A well-formed shared library that is not a Kiln model: no signature marker. */

/** Something to export. */
int fake_answer(void) { return 42; }
