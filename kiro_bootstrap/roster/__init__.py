"""The signed subscription roster: one model, one normalisation, one signature, both halves."""
