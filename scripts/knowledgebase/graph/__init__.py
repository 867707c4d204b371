"""Stage 3, the linked graph: references and prose links resolved, backlinks collected, prose checked."""
