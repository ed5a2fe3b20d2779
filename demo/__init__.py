"""Demo content for `manage.py load_demo_content` and the first-run set-up of `make run`.

`spec` describes the shape of a data set, `sub_district` is the one we ship, `images` draws its
pictures and `build` writes it into the database; `district` generates a whole district for the
benchmarks (`--scale district`). An app without models that imports whatever it fills; nothing
imports it.
"""
