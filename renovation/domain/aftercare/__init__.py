"""After the works (长效管理): who looks after each compound once it is renovated.

- :mod:`.records`: a project's after-care (小区党支部 and 楼栋党小组, 业委会, 物业) read, checked and
  saved, versioned like a stage, with its audit entry;
- :mod:`.coverage`: the coverage the city reports, per street and for the city, over the completed
  compounds, and the completed compounds that have nobody looking after them.
"""
