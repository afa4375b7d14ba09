"""Text every side reads: page bytes decoded (:mod:`kernel.text.decode`) and the one Arabic
normalizer (:mod:`kernel.text.normalize`). Extraction itself is the pipeline's
(:mod:`pipeline.text`)."""
