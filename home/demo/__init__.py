"""Demo content for `manage.py load_demo_content`.

`spec` describes the shape of a data set, `sub_district` is the one we ship, `images`
draws its pictures and `build` writes it into the database. A larger scale (a whole
district) would be another data set module producing the same `spec.Dataset`.
"""
