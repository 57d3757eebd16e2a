"""Progress bulletins (进度通报), the document the city's leaders read.

area_data, brief_data, months and photos gather a bulletin's content into plain JSON-ready data;
issue numbers it, freezes that snapshot and has it rendered; pdf prints a snapshot through the
print template with WeasyPrint; render_lease lets one worker at a time render it; archive reads
issued bulletins back.
"""
