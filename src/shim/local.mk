# src/shim: owned by the shim work; see that area.
