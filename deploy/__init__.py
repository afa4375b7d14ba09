"""Marsad's configuration as data: sources, lexicons, index templates, the stack's poms.

This file only makes ``deploy/`` package data, so that an installed wheel carries the files the
service reads (through :mod:`kernel.datafiles`). Operators edit these files here, or point
``MARSAD_DEPLOY_DIR`` at their own copy of this folder.
"""
