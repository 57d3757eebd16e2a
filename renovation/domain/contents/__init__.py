"""What a renovation delivers (改造内容) and the proof of the work that gets buried (隐蔽工程).

- :mod:`.catalogue`: the content items in three categories (基础类, 完善类, 提升类), each with its
  unit and the stage its work belongs to; admins add, rename, change and retire them;
- :mod:`.quantities`: reading and checking a content's figures (exact decimals; done never above the
  plan without a written reason);
- :mod:`.operations`: a project's contents added, changed and removed, versioned, with their history
  and the audit entry;
- :mod:`.hidden_works`: which stages of a project have hidden-works photos, the projects whose buried
  work has none, and the stage rules overridden with a reason.
"""
