"""The text that describes a ``train=`` / ``--train`` rule, in a module of its own so that the
command line's help can show it without loading the validation code."""

RULES_HELP = ("a boolean mask, 'flops<1e21' (any column, <, <=, >, >=, ==, !=; join with &), "
              "'largest=3' (hold out the 3 largest sizes), 'rolling' or 'rolling=3' (fit on "
              "the smaller sizes, score the next one, for the last 3 sizes), or "
              "'leave_family_out'")
