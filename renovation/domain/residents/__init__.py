"""What residents say and decide: consultations, their votes and files, and demands.

consultations records a meeting or survey (add, edit, soft delete); votes decides an owners' vote
under Civil Code article 278 from exact fractions; attachments keeps a consultation's papers;
demands follows a resident's demand (诉求) from raised to resolved or declined; demand_list reads
many at once (the filter, the overdue figures, the list's pages).
"""
