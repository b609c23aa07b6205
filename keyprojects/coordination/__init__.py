"""Problem coordination (问题协调): problems with their action log and automatic escalation, leaders'
instructions (批示), dispatch meetings (调度会), leader links (包联) and frontline service visits."""
