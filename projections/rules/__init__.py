"""The domain rules reports read: policy, JP, recognition, competencies, dates, and the typed
facts they take. Pure: no I/O, no clock; tested with plain values."""
