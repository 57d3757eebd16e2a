"""Rules and operations of the renovation programme, as plain functions tested without HTTP."""
