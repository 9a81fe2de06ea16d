"""Evaluate: the form model and its vocabulary, value notation, scoring, figures, statuses, findings.

``scoring.evaluate(form) -> Evaluation`` is this stage's door (re-exported as ``reportgen.evaluate``);
the modules here never format a report sentence — findings carry codes and parameters, and their
words live beside their titles in ``findings.CODES``.
"""
