"""Conversion of the LDC ACE 2005 release (LDC2006T06) to the like_conll files of the ACE readers.

`sgm` reads the source text and its offsets, `apf` the annotations, `tokens` tokenises with
spaCy, `document` maps the annotations onto tokens (and writes down every policy), `like_conll`
formats the rows, `corpus` finds documents and split lists, `convert` drives a whole split and
`report` counts what could not be converted. `hmtl prepare-ace2005` is the command on top.
"""
