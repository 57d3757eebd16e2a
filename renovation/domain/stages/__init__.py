"""The five stages of a renovation (摸底调查 → 雨污分流 → 立面改造 → 道路硬化 → 竣工验收).

keys names the stages and statuses as data; rules says what a construction engineer expects of a
change (dates in order, 100% when completed, a reason when behind schedule); operations checks the
version and the rules, saves and writes the history and the audit entry; schedule derives a
project's overall progress, current stage and delay from its stages; history reads the changes
back, newest first.
"""
