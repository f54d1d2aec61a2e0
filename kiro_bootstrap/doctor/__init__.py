"""`doctor`: can this machine run Kiro, and what stands in the way?"""
