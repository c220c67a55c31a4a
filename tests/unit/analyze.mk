# unit tests of src/analyze and src/trace
