"""The automation plugin: rules that sort investors into lists, tasks and reminders."""
