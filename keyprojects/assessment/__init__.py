"""Assessment (考核): versioned schemes, the scores that explain themselves, rankings, the red/black list
(红黑榜) with its review and publication, and the notice (通报) and monthly briefing built from them."""
