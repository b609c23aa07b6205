"""The cockpit (驾驶舱) and the project map (一张图): each role's own figures from indexed SQL aggregates."""
