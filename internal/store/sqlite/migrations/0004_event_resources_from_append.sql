-- Append now adds the event_resources rows itself: the insert trigger of migration 0003 made
-- every event insert keep a statement journal and split the resources in SQL. The delete
-- trigger stays (Prune deletes the rows with their events).
DROP TRIGGER events_resources_insert;
