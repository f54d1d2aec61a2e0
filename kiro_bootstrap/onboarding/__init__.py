"""A bare run on a terminal: guided onboarding from the doctor's verdict to "Next, in Kiro"."""
