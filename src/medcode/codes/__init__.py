"""The lookup side: what a code is, whether it is valid on a date, which system it belongs to,
and what changed between releases. Everything here reads an open ``Store``; nothing builds one.

    codeinfo        ICD-10-CM lookup (lazy hierarchy and notes)
    otherinfo       lookup of the other systems (PCS, CPT, HCPCS, ICD-9-CM)
    dispatch        lookup of any code
    validity        validate, validate_many
    identification  identify
    releases        release diffs and store status
"""
