/**
 * @module
 * Where each box and arrow of the state diagram goes, in terminal cells (96 x 40, fits 100
 * columns). Routes start on the source box border and end on the cell before the target box;
 * they were laid out by hand so that no two arrows cross. The SVG uses the same grid.
 */
import type { DiagramState } from './transitions.js'

export const BOX_W = 16
export const BOX_H = 4
export const GRID_W = 96
export const GRID_H = 40

export interface Box {
  state: DiagramState
  x: number
  y: number
}

/** CLOSED appears twice, at the top and bottom, as in RFC 9293's figure. */
export const BOXES: readonly Box[] = [
  { state: 'CLOSE', x: 42, y: 0 },
  { state: 'LISTEN', x: 42, y: 6 },
  { state: 'SYN_RECV', x: 2, y: 12 },
  { state: 'SYN_SENT', x: 80, y: 12 },
  { state: 'ESTABLISHED', x: 42, y: 18 },
  { state: 'FIN_WAIT1', x: 2, y: 24 },
  { state: 'CLOSE_WAIT', x: 80, y: 24 },
  { state: 'FIN_WAIT2', x: 2, y: 30 },
  { state: 'CLOSING', x: 42, y: 30 },
  { state: 'LAST_ACK', x: 80, y: 30 },
  { state: 'TIME_WAIT', x: 42, y: 36 },
  { state: 'CLOSE', x: 80, y: 36 },
]

export type Point = readonly [x: number, y: number]

export interface Route {
  /** Transition number (transitions.ts). */
  n: number
  points: readonly Point[]
  /** Where the number tag goes (its first cell). */
  label: Point
}

export const ROUTES: readonly Route[] = [
  { n: 1, points: [[47, 3], [47, 5]], label: [45, 4] },
  { n: 2, points: [[57, 1], [92, 1], [92, 11]], label: [75, 0] },
  { n: 3, points: [[53, 6], [53, 4]], label: [55, 5] },
  { n: 4, points: [[42, 7], [6, 7], [6, 11]], label: [25, 6] },
  { n: 5, points: [[57, 7], [84, 7], [84, 11]], label: [70, 6] },
  { n: 6, points: [[80, 13], [18, 13]], label: [30, 12] },
  { n: 7, points: [[80, 14], [52, 14], [52, 17]], label: [66, 15] },
  { n: 8, points: [[88, 12], [88, 2], [58, 2]], label: [90, 6] },
  { n: 9, points: [[17, 14], [46, 14], [46, 17]], label: [30, 15] },
  { n: 10, points: [[10, 12], [10, 8], [41, 8]], label: [24, 9] },
  { n: 11, points: [[6, 15], [6, 23]], label: [7, 20] },
  { n: 12, points: [[42, 19], [12, 19], [12, 23]], label: [25, 18] },
  { n: 13, points: [[57, 19], [88, 19], [88, 23]], label: [72, 18] },
  { n: 14, points: [[6, 27], [6, 29]], label: [8, 28] },
  { n: 15, points: [[17, 25], [46, 25], [46, 29]], label: [30, 24] },
  { n: 16, points: [[17, 26], [36, 26], [36, 37], [41, 37]], label: [37, 32] },
  { n: 17, points: [[8, 33], [8, 38], [41, 38]], label: [20, 37] },
  { n: 18, points: [[50, 33], [50, 35]], label: [52, 34] },
  { n: 19, points: [[88, 27], [88, 29]], label: [90, 28] },
  { n: 20, points: [[88, 33], [88, 35]], label: [90, 34] },
  { n: 21, points: [[57, 37], [79, 37]], label: [67, 36] },
]
