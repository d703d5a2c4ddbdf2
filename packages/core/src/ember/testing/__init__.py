"""Testing helpers: ``assert_close``, ``make_tensor`` and the backend conformance suite."""
