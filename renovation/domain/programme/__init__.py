"""The whole programme at a glance: the dashboard and its month-on-month change.

figures counts the programme in a few grouped SQL queries; dashboard gathers everything the
overview shows; snapshots takes the monthly snapshot (月调度) and changes compares months;
activity reads the recent work from the audit log; charts computes the SVG charts' geometry.
"""
