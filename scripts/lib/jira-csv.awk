# Writes a Jira "all fields" CSV export of N issues (awk -v n=30000 -f jira-csv.awk), shaped
# like the real exports under corpus/jira_csv: repeated Sprint and Labels columns, an epic
# with nine children in every 50 rows, a multi-line quoted description, Jira's date format.
# The benchmark imports it to measure items per second; nothing here is random, so two runs
# import the same file.
BEGIN {
    if (n == "") n = 30000
    split("To Do,In Progress,In Review,Done,Done", status, ",")
    split("1,2,3,5,8,13", points, ",")
    split("Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec", month, ",")
    print "Summary,Issue key,Issue id,Issue Type,Status,Priority,Assignee,Reporter,Created,Updated,Sprint,Sprint,Custom field (Story Points),Labels,Labels,Parent,Description"
    for (i = 1; i <= n; i++) {
        epic = (i - 1) % 50 == 0
        type = epic ? "Epic" : ((i % 7 == 0) ? "Bug" : "Story")
        parent = (!epic && (i - 1) % 50 <= 9) ? "BEN-" (i - (i - 1) % 50) : ""
        d = sprintf("%02d/%s/25 %d:%02d PM", 1 + i % 28, month[1 + i % 12], 1 + i % 11, i % 60)
        s1 = (i % 3 == 0) ? sprintf("BEN Sprint %d", 1 + i % 20) : ""
        s2 = (i % 6 == 0) ? sprintf("BEN Sprint %d", 2 + i % 20) : ""
        printf "\"Import benchmark issue %d, with a comma\",BEN-%d,%d,%s,%s,Medium,member%d@example.com,bench@example.com,%s,%s,%s,%s,%s,%s,%s,%s,\"h3. Context\nLine one of issue %d with *bold* text.\n* first point\n* second point\"\n", \
            i, i, 100000 + i, type, status[1 + i % 5], i % 20, d, d, s1, s2, \
            (i % 4 == 0) ? "" : points[1 + i % 6], "bench", (i % 2) ? "api" : "ux", parent, i
    }
}
