# Reads lessons/lessons.json and adds each lesson and solution (filled in by the lessons work).
