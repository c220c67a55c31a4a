# src/analyze
