"""The reliability suite: bad inputs, faults and kills, each followed by the same invariants.

``test_bad_inputs`` builds one raw directory holding every kind of bad entry and
checks that each is one documents row with its reason; ``test_faults`` breaks the
cache, the output volume, a file and the run itself (SIGKILL) and checks that
nothing good was replaced and that the next run converges.  ``inputs`` holds the
builders and the invariants.
"""
