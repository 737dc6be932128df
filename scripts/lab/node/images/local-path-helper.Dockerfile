# kind's local-path helper image: its helper pods only run sh, mkdir and rm.
ARG BASE
FROM ${BASE}
