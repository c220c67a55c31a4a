# unit tests of src/shim
