"""Evaluation of newsdesk models on labelled data: metrics, intervals, reports."""
