"""Graduation coverage (R9): the share of each cohort's graduates who hold a vocational skill certificate."""
