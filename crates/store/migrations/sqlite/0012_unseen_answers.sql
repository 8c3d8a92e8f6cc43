-- Departments' answers (庁内照会の回答) the desk has not yet seen on the proposal's page: the
-- inbox marks the proposal, and opening it at the desk clears the count. The desk is also
-- mailed when an answer arrives.
ALTER TABLE proposals ADD COLUMN unseen_answers INTEGER NOT NULL DEFAULT 0;
