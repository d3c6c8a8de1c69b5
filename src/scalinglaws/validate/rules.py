"""The text that describes a ``train=`` / ``--train`` rule and a ``holdout=`` / ``--holdout``
rule, in a module of its own so that the command line's help can show it without loading the
validation code."""

RULES_HELP = ("a boolean mask, 'flops<1e21' (any column, <, <=, >, >=, ==, !=; join with &), "
              "'largest=3' (hold out the 3 largest sizes), 'rolling' or 'rolling=3' (fit on "
              "the smaller sizes, score the next one, for the last 3 sizes), or "
              "'leave_family_out'")

#: a ``holdout=`` rule of ``select``: the comparison and the mask name the HELD-OUT rows
HOLDOUT_HELP = ("'flops>=1e21' (hold out the runs the comparison selects and fit on the rest; "
                "any column, <, <=, >, >=, ==, !=; join with &), a boolean mask that is True on "
                "the held-out rows, 'largest=3' (hold out the 3 largest sizes), 'rolling' or "
                "'rolling=3' (fit on the smaller sizes, score the next one, for the last 3 "
                "sizes), or 'leave_family_out'")
