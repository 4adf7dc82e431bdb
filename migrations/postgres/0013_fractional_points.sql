-- Story points become exact to two decimals (0.5, 18.5, 0.25): every column that holds points
-- or a sum of them now counts hundredths of a point, in the same integer columns, so sums stay
-- exact and both databases agree. Existing whole points keep their value (3 is stored as 300).
UPDATE items SET points = points * 100 WHERE points IS NOT NULL;
UPDATE sprint_items SET points = points * 100;
UPDATE sprints SET baseline_points = baseline_points * 100,
    added_points = added_points * 100,
    removed_points = removed_points * 100,
    completed_points = completed_points * 100,
    say_do_points = say_do_points * 100;
-- The roll-up triggers followed the items above; recount from the items to be sure.
UPDATE initiatives SET
    points_total = COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = initiatives.id), 0),
    points_done = COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = initiatives.id AND i.status = 'done'), 0);
